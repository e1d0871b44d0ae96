from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (at most 100); answers carry count, next, previous, results."""

    page_size_query_param = "page_size"
    max_page_size = 100
