"""Reads for Resource Center pages. Filled in by the Resource Center issue."""


def home_page_context(page, request) -> dict:
    return {}


def resource_index_context(page, request) -> dict:
    return {}


def resource_page_context(page, request) -> dict:
    return {}
