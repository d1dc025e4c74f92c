"""List-page understanding without a URL pattern: find a column page's main list, the URL shape of its
articles, every same-shape link, and its pager — from one page, on any common Chinese CMS.

    from crawler.listing import read_list_page, ListProfile

``ListProfile.url_shape`` is matched against ``shape_target(url)`` (the URL's path, plus ``?query`` when
there is one), not against the whole URL.
"""
from .model import ListLink, ListProfile, ListReading, Pagination
from .reading import read_list_page
from .shape import shape_target

__all__ = ["ListLink", "ListProfile", "ListReading", "Pagination", "read_list_page", "shape_target"]
