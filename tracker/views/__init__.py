"""The views, one module per audience (public, learner, mentor, profiles, accounts, links,
invitations); what they share about a request is here."""


def is_htmx(request) -> bool:
    """Whether htmx sent the request, and so expects the fragment it swaps in."""
    return request.headers.get("HX-Request") == "true"
