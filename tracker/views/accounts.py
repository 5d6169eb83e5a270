"""Sign-up and password reset, limited per client and address; Django's own views do log
in, log out and the rest of the password pages (see careerpath/urls.py)."""

from http import HTTPStatus

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.debug import sensitive_post_parameters

from tracker.forms import SignUpForm
from tracker.limits import LimitReached, check, check_sign_up, client_ip
from tracker.selectors.mentoring import has_active_mentees
from tracker.services.accounts import password_reset_request, user_sign_up


@sensitive_post_parameters("password1", "password2")
def signup(request):
    if request.user.is_authenticated:
        return redirect("tracker:dashboard")
    form = SignUpForm(request.POST or None)
    status = HTTPStatus.BAD_REQUEST if form.is_bound else HTTPStatus.OK
    if request.method == "POST" and form.is_valid():
        try:
            check_sign_up(request)
        except LimitReached as limit:
            form.add_error(None, str(limit))
            status = HTTPStatus.TOO_MANY_REQUESTS
        else:
            user = user_sign_up(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
            login(request, user, backend="tracker.auth.ProfileModelBackend")
            return redirect("tracker:onboarding")
    return render(request, "registration/signup.html", {"form": form}, status=status)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, whose mail is a task (tracker.tasks.password_reset_send) and
    which answers alike for any address, within limits per address and per client."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        try:
            check(
                "password_reset_per_client",
                client_ip(self.request),
                "Too many password resets were asked from your network in the last "
                "{period}. Please try again later.",
            )
            check(
                "password_reset_per_address",
                email,
                "Too many password resets were asked for this address in the last "
                "{period}. Check your inbox (and spam folder) for the mails already sent.",
            )
        except LimitReached as limit:
            form.add_error("email", str(limit))
            return self.render_to_response(
                self.get_context_data(form=form), status=HTTPStatus.TOO_MANY_REQUESTS
            )
        password_reset_request(email=email)
        return HttpResponseRedirect(self.get_success_url())


class LoginView(auth_views.LoginView):
    """Django's login page; a person with active mentees lands on the mentoring page
    (unless ``next`` says otherwise), everyone else on their dashboard."""

    def get_default_redirect_url(self):
        if has_active_mentees(user=self.request.user):
            return resolve_url("tracker:mentoring")
        return super().get_default_redirect_url()
