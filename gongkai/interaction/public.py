"""Public pages of 互动交流: leave a message, follow it, read published answers; 依申请公开.

A sender's or applicant's identity never appears here except on their own tracking page, which
only the unguessable tracking code opens (and even there the contact is shown masked).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from gongkai.core.calendar import CalendarNotCovered
from gongkai.interaction import codes, documents, outcomes, selectors, services
from gongkai.interaction.choices import Channel, MessageCategory, MessageState
from gongkai.interaction.forms import MessageForm, RatingForm, RequestForm, TrackForm
from gongkai.interaction.models import Message

PRIVATE_LETTERS = ("consultation",)


def client_address(request: HttpRequest) -> str:
    """The sender's address as the server sees it (behind a trusted proxy, its first hop)."""
    return request.META.get("REMOTE_ADDR", "")


def mask_contact(contact: str) -> str:
    if "@" in contact:
        user, _, host = contact.partition("@")
        return f"{user[:1]}***@{host}"
    return contact[:3] + "****" + contact[-2:] if len(contact) > 6 else "****"


def messages_index(request: HttpRequest) -> HttpResponse:
    """互动交流 › 留言: published answers, the form, the tracking box and the monthly statistics."""
    category = request.GET.get("category", "")
    if category not in MessageCategory.values:
        category = ""
    q = request.GET.get("q", "").strip()[:50]
    page = Paginator(selectors.published_messages(category=category, q=q), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "interaction/public/messages.html",
        {
            "page": page,
            "category": category,
            "categories": MessageCategory.choices,
            "q": q,
            "track_form": TrackForm(),
            "stats": selectors.message_monthly_stats(months=12),
        },
    )


def message_new(request: HttpRequest) -> HttpResponse:
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        uploads = [
            services.Upload(f.name, f.read(services.ATTACHMENT_MAX_BYTES + 1)) for f in data["attachments"]
        ]
        try:
            message = services.message_submit(
                address=client_address(request),
                category=data["category"],
                subject=data["subject"],
                body=data["body"],
                contact=data["contact"],
                name=data["name"],
                consent_publish=data["consent_publish"],
                uploads=uploads,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return render(
                request,
                "interaction/public/message_sent.html",
                {"m": message, "deadline": selectors.message_deadline(message)},
            )
    return render(request, "interaction/public/message_form.html", {"form": form})


def message_track_lookup(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    if form.is_valid():
        code = codes.normalise_code(form.cleaned_data["code"])
        if Message.objects.filter(tracking_code=code).exists():
            return redirect("public-message-track", code=code)
        messages.error(request, gettext("没有找到该查询码对应的留言，请核对后重新输入。"))
    return redirect("public-messages")


@never_cache
def message_track(request: HttpRequest, code: str) -> HttpResponse:
    """The sender's own page: progress, the reply, and the rating form."""
    message = selectors.message_by_code(codes.normalise_code(code))
    if message is None:
        raise Http404("没有找到该查询码对应的留言")
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_rate(message=message, **form.cleaned_data)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, gettext("感谢您的评价。"))
        return redirect("public-message-track", code=message.tracking_code)
    response = render(
        request,
        "interaction/public/message_track.html",
        {
            "m": message,
            "contact": mask_contact(message.contact),
            "deadline": selectors.message_deadline(message),
            "form": form,
            "can_rate": message.state in (MessageState.REPLIED, MessageState.CLOSED)
            and message.rating is None,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def message_public(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(selectors.published_messages(), pk=pk)
    return render(request, "interaction/public/message.html", {"m": message})


# --- 依申请公开 ----------------------------------------------------------------------------------


def foi_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "interaction/public/foi.html",
        {"track_form": TrackForm(), "stats": selectors.request_monthly_stats(months=12)},
    )


def foi_new(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_receive(
                actor=services.PUBLIC_ACTOR,
                data=form.cleaned_data,
                channel=Channel.ONLINE,
                submitted_on=timezone.localdate(),
                address=client_address(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except CalendarNotCovered as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "interaction/public/foi_sent.html", {"r": created})
    return render(request, "interaction/public/foi_form.html", {"form": form})


def foi_track_lookup(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    if form.is_valid():
        code = codes.normalise_code(form.cleaned_data["code"])
        if selectors.request_by_code(code):
            return redirect("public-foi-track", code=code)
        messages.error(request, gettext("没有找到该查询码对应的申请，请核对后重新输入。"))
    return redirect("public-foi")


@never_cache
def foi_track(request: HttpRequest, code: str) -> HttpResponse:
    info = selectors.request_by_code(codes.normalise_code(code))
    if info is None:
        raise Http404("没有找到该查询码对应的申请")
    try:
        clock = services.request_clock(info)
        problem = ""
    except CalendarNotCovered as exc:
        clock, problem = None, str(exc)
    outcome = outcomes.BY_CODE.get(info.outcome)
    response = render(
        request,
        "interaction/public/foi_track.html",
        {
            "r": info,
            "clock": clock,
            "problem": problem,
            "deadline": selectors.request_deadline(info),
            "outcome": outcome,
            # The label is marked for the catalogue in outcomes.py and translated here.
            "outcome_label": gettext(outcome.label) if outcome else "",
            "pdf_available": documents.pdf_available(),
            # The letter to a consulted third party is not addressed to the applicant.
            "letters": [letter for letter in info.letters.all() if letter.key not in PRIVATE_LETTERS],
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def foi_letter(request: HttpRequest, code: str, pk: int, fmt: str) -> HttpResponseBase:
    info = selectors.request_by_code(codes.normalise_code(code))
    if info is None:
        raise Http404
    letter = get_object_or_404(info.letters.exclude(key__in=PRIVATE_LETTERS), pk=pk)
    from gongkai.interaction.views import _letter_response

    return _letter_response(letter, fmt)


def satisfaction(request: HttpRequest) -> HttpResponse:
    """互动交流 › 满意度: how senders rated the answers, month by month."""
    return render(
        request, "interaction/public/satisfaction.html", {"stats": selectors.message_monthly_stats(months=12)}
    )
