"""Sign-up; Django's own views do log in, log out and passwords (see careerpath/urls.py)."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from tracker.forms import SignUpForm
from tracker.services.accounts import user_sign_up


@sensitive_post_parameters("password1", "password2")
def signup(request):
    if request.user.is_authenticated:
        return redirect("tracker:dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_sign_up(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="tracker.auth.ProfileModelBackend")
        messages.success(request, "Welcome to CareerPath! Here is your plan.")
        return redirect("tracker:dashboard")
    status = 400 if form.is_bound else 200
    return render(request, "registration/signup.html", {"form": form}, status=status)
