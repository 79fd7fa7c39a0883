"""One search across everything: engines, the document shape, the provider registry, the outbox.
May import: resourcecenter only; kb and forum reach it by registering providers."""
