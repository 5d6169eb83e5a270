"""A logged-in mix of journeys for `bench/load.py`: browse the guide, open the dashboard,
tick milestones, and (for the mentor) open the mentor dashboard.

Sessions are created before the run (bench/load.py), so each simulated user is logged in
once and the slow password hasher stays out of the measurement.
"""

import json
import os
import random

from locust import HttpUser, between, task

with open(os.environ["CAREERPATH_SESSIONS"]) as sessions_file:
    SESSIONS = json.load(sessions_file)
_learners = iter(SESSIONS["learners"])


class Learner(HttpUser):
    weight = 9
    wait_time = between(0.5, 2)

    def on_start(self):
        account = next(_learners, None) or random.choice(SESSIONS["learners"])
        self.headers = {
            "Cookie": f"{SESSIONS['cookie']}={account['session']}; "
            f"{SESSIONS['csrf_cookie']}={SESSIONS['csrf']}",
            "X-CSRFToken": SESSIONS["csrf"],
        }
        self.milestones = SESSIONS["milestones"]

    @task(3)
    def dashboard(self):
        self.client.get("/dashboard/", headers=self.headers, name="dashboard")

    @task(2)
    def guide(self):
        self.client.get("/guides/ml-engineer/", headers=self.headers, name="guide")

    @task(1)
    def milestone(self):
        slug = random.choice(self.milestones)
        self.client.get(f"/guides/ml-engineer/{slug}/", headers=self.headers, name="milestone")

    @task(2)
    def tick(self):
        slug = random.choice(self.milestones)
        status = random.choice(["in_progress", "done", "not_started"])
        self.client.post(
            f"/guides/ml-engineer/{slug}/status/",
            data={"status": status, "view": "guide"},
            headers={**self.headers, "HX-Request": "true"},
            name="tick (htmx)",
        )


class Mentor(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        self.headers = {"Cookie": f"{SESSIONS['cookie']}={SESSIONS['mentor']}"}

    @task
    def mentor_dashboard(self):
        self.client.get("/mentoring/", headers=self.headers, name="mentor dashboard")
