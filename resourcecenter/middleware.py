from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Sends a strict Content-Security-Policy on the public site.

    The Wagtail admin relies on inline scripts and styles, so it gets a policy that only
    restricts where content may come from and who may frame it.
    """

    ADMIN_POLICY = (
        "default-src 'self'; img-src 'self' data: https: blob:; "
        "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        "frame-src 'self' https:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            if request.path.startswith("/admin/") or request.path.startswith("/django-admin/"):
                policy = self.ADMIN_POLICY
            else:
                policy = settings.CONTENT_SECURITY_POLICY
            response["Content-Security-Policy"] = policy
        return response
