"""Items excluded from metrics and the ladder (``/spam``, the newcomer limit): SQL filters for bot/metrics.

``counted()`` is a clause for queries over ``Contribution``: false for a contribution on an excluded item (its
URL is the item's ``html_url`` or an anchor under it, e.g. ``…/pull/7#issuecomment-1``). ``item_counted(model)``
is the same for ``Issue`` / ``PullRequest`` rows (by repository and number).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select

from bot.models import Contribution, ExcludedItem


def counted(contribution=Contribution) -> ColumnElement[bool]:
    item = ExcludedItem
    return ~exists(select(item.repository_id).where(
        item.repository_id == contribution.repository_id,
        or_(contribution.url == item.html_url, contribution.url.startswith(item.html_url + "#"))))


def item_counted(model) -> ColumnElement[bool]:
    return ~exists(select(ExcludedItem.number).where(
        and_(ExcludedItem.repository_id == model.repository_id, ExcludedItem.number == model.number)))
