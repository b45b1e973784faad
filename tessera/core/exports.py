"""Tables as CSV and XLSX downloads: the exports of lists and reports."""

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(kind: str, filename: str, header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> HttpResponse:
    """`kind` is "csv" or "xlsx". Decimals stay numbers in the spreadsheet."""
    if kind == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.append([str(cell) for cell in header])
        for row in rows:
            sheet.append([cell if isinstance(cell, int | float | Decimal) or cell is None else str(cell) for cell in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow([str(cell) for cell in header])
        writer.writerows(rows)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    return response


def document_response(content: bytes, filename: str, content_type: str, *, download: bool = False) -> HttpResponse:
    """A generated document (a PDF shown in the browser, a bank file downloaded)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="{filename}"'
    return response
