from django.apps import AppConfig


class ResourceCenterConfig(AppConfig):
    name = "resourcecenter"
    verbose_name = "Resource Center site"
