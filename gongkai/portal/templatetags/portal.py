from django import template

from gongkai.portal import navigation

register = template.Library()


@register.inclusion_tag("portal/_menu.html", takes_context=True)
def portal_menu(context):
    """The main navigation: columns, and the current column's pages in a second row."""
    request = context.get("request")
    path = request.path if request else "/"
    current = navigation.column_for_path(path)
    return {"columns": navigation.COLUMNS, "current": current, "path": path, "request": request}
