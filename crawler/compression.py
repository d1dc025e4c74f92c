"""Keep Scrapy from guessing the charset of bytes that are still gzip-compressed."""

from __future__ import annotations

from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse


class CompressedBodyMiddleware:
    """Hands HttpCompressionMiddleware a plain Response for a compressed body.

    Government sites gzip their pages and rarely name a charset in Content-Type, so Scrapy
    builds a TextResponse around the compressed bytes and sniffs their "encoding" with
    charset_normalizer before HttpCompressionMiddleware decompresses them: ~14 % of a crawl's
    CPU in bench/profile_crawl.py, wasted. Placed at 595, after decompression in the request
    order, its process_response runs just before HttpCompressionMiddleware's (590), which then
    builds the right response class from the decompressed body.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls()

    def process_response(self, request: Request, response: Response) -> Response:
        if isinstance(response, TextResponse) and response.headers.get("Content-Encoding"):
            return Response(**{name: getattr(response, name) for name in Response.attributes})
        return response
