from rest_framework.pagination import PageNumberPagination

from audit.pagination import AuditEventPaginator


class Pagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (at most 100); answers carry count, next, previous, results."""

    page_size_query_param = "page_size"
    max_page_size = 100


class CappedPagination(Pagination):
    """Pages of the audit trail: ``count`` stops at 10,000 (``count_is_capped`` says when it did,
    and the pages stop there too; narrow the filters). Counting 1.5 million events on every
    request cost more than the page itself (``audit.pagination``)."""

    django_paginator_class = AuditEventPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_is_capped"] = self.page.paginator.is_capped
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count_is_capped"] = {
            "type": "boolean",
            "description": "Whether there are more than `count` rows (the count stops at 10,000).",
        }
        return described
