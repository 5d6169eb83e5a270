"""A logged-in mix of journeys for `bench/load.py`, as people use CareerPath: mostly a status
change followed by the page it lands on, some htmx changes, notes, the guide, its map, a
milestone and the calendar feed; mentors open their mentoring page and a mentee's. A few
simulated visitors ask for the baseline view under the same load, so that its latency is
measured beside the app's.

Sessions are created before the run (bench/load.py), so each simulated user is logged in
once and the slow password hasher stays out of the measurement.
"""

import json
import os
import random
from http import HTTPStatus

from locust import HttpUser, between, task

with open(os.environ["CAREERPATH_SESSIONS"]) as sessions_file:
    SESSIONS = json.load(sessions_file)
_learners = iter(SESSIONS["learners"])
STATUSES = ["in_progress", "done", "not_started"]
GUIDE = "/guides/ml-engineer/"


def headers_for(session: str) -> dict:
    return {
        "Cookie": f"{SESSIONS['cookie']}={session}; {SESSIONS['csrf_cookie']}={SESSIONS['csrf']}",
        "X-CSRFToken": SESSIONS["csrf"],
    }


class Learner(HttpUser):
    weight = 16
    wait_time = between(0.5, 2)

    def on_start(self):
        account = next(_learners, None) or random.choice(SESSIONS["learners"])
        self.headers = headers_for(account["session"])
        self.calendar = f"/calendar/{account['calendar']}.ics"
        self.milestones = SESSIONS["milestones"]

    @task(6)
    def change_then_page(self):
        """A status change without JavaScript, then the page it redirects to."""
        slug = random.choice(self.milestones)
        back = random.choice(["/dashboard/", f"{GUIDE}{slug}/", GUIDE])
        response = self.client.post(
            f"{GUIDE}{slug}/status/",
            data={"status": random.choice(STATUSES), "next": back},
            headers=self.headers,
            allow_redirects=False,
            name="status change (no JS)",
        )
        if response.status_code == HTTPStatus.FOUND:
            self.client.get(
                response.headers["Location"], headers=self.headers, name="page after a change"
            )

    @task(3)
    def change_in_place(self):
        slug = random.choice(self.milestones)
        self.client.post(
            f"{GUIDE}{slug}/status/",
            data={"status": random.choice(STATUSES), "view": random.choice(["guide", "dashboard"])},
            headers={**self.headers, "HX-Request": "true"},
            name="status change (htmx)",
        )

    @task(2)
    def dashboard(self):
        self.client.get("/dashboard/", headers=self.headers, name="dashboard")

    @task(1)
    def notes(self):
        slug = random.choice(self.milestones)
        self.client.post(
            f"{GUIDE}{slug}/notes/",
            data={"note": f"Worked through it {random.randint(1, 99)} times.", "evidence_url": ""},
            headers=self.headers,
            name="notes",
        )

    @task(1)
    def guide(self):
        self.client.get(GUIDE, headers=self.headers, name="guide")

    @task(1)
    def guide_map(self):
        self.client.get(f"{GUIDE}map/", headers=self.headers, name="map")

    @task(1)
    def milestone(self):
        slug = random.choice(self.milestones)
        self.client.get(f"{GUIDE}{slug}/", headers=self.headers, name="milestone")

    @task(1)
    def calendar_feed(self):
        """The learner's calendar app, which asks with the secret address alone."""
        self.client.get(self.calendar, name="calendar feed")


class Mentor(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        self.headers = headers_for(SESSIONS["mentor"])

    @task(2)
    def mentoring(self):
        self.client.get("/mentoring/", headers=self.headers, name="mentoring")

    @task(1)
    def mentee(self):
        username = random.choice(SESSIONS["mentees"])
        self.client.get(f"/mentoring/mentees/{username}/", headers=self.headers, name="mentee")


class Visitor(HttpUser):
    """The baseline under the same load."""

    weight = 1
    wait_time = between(0.5, 2)

    @task
    def baseline(self):
        self.client.get("/bench/fortunes/", name="baseline")
