from django.utils.translation import gettext_lazy as _
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # DRF says only "Invalid page."; say which page and why (not a number, or past the last page).
    invalid_page_message = _("Invalid page {page_number!r}: {message}.")
