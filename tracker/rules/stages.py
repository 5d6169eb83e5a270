"""Career stage, salary pairing and progress figures: pure rules over plain data.

Nothing here queries the database; callers pass in what the selectors fetched. Progress is
always computed from the milestones and the learner's statuses, never stored.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tracker.models import LEVEL_RANK, CareerStage, Milestone, SalaryBand, is_finished


@dataclass(frozen=True)
class Tally:
    done: int = 0
    total: int = 0
    done_hours: int = 0
    total_hours: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def hours_percent(self) -> int:
        return round(100 * self.done_hours / self.total_hours) if self.total_hours else 0

    @property
    def remaining_hours(self) -> int:
        return self.total_hours - self.done_hours


def tally(milestones: Iterable[Milestone], statuses: dict[int, str]) -> Tally:
    done = total = done_hours = total_hours = 0
    for milestone in milestones:
        total += 1
        total_hours += milestone.estimated_hours
        if is_finished(statuses.get(milestone.pk)):
            done += 1
            done_hours += milestone.estimated_hours
    return Tally(done, total, done_hours, total_hours)


def required_for(stage: CareerStage, milestones: Iterable[Milestone]) -> list[Milestone]:
    """The milestones a stage asks for: every one up to and including its level."""
    if not stage.completes_level:
        return []
    ceiling = LEVEL_RANK[stage.completes_level]
    return [milestone for milestone in milestones if milestone.level_rank <= ceiling]


@dataclass
class StageStanding:
    current: CareerStage | None
    next: CareerStage | None
    remaining: list[Milestone] = field(default_factory=list)
    current_band: SalaryBand | None = None
    next_band: SalaryBand | None = None
    # The guide's figures tied to no stage (a tech-hub average: a place, not a seniority).
    place_bands: list[SalaryBand] = field(default_factory=list)

    @property
    def remaining_hours(self) -> int:
        return sum(milestone.estimated_hours for milestone in self.remaining)

    @property
    def place_figures(self) -> list[SalaryBand]:
        """The figures tied to no stage, shown where a stage shown has no figure of its own:
        what the guide does say, beside what it does not."""
        missing = self.current_band is None or (self.next is not None and self.next_band is None)
        return self.place_bands if missing else []

    @property
    def sources(self) -> list[SalaryBand]:
        """The bands shown, one per distinct source and date, to name every figure's origin."""
        return figure_sources([self.current_band, self.next_band, *self.place_figures])


def figure_sources(bands: Iterable[SalaryBand | None]) -> list[SalaryBand]:
    """The first band of each distinct source and date, in order: whom to credit."""
    seen, firsts = set(), []
    for band in bands:
        if band is not None and (band.source, band.as_of) not in seen:
            seen.add((band.source, band.as_of))
            firsts.append(band)
    return firsts


def band_for(
    stage: CareerStage | None, bands: Sequence[SalaryBand], region: str
) -> SalaryBand | None:
    """The stage's band in the learner's region, else the first one the guide quotes for
    it; never a figure the guide ties to no stage."""
    if stage is None:
        return None
    of_stage = [band for band in bands if band.stage_id is not None and band.stage_id == stage.pk]
    for band in of_stage:
        if band.region == region:
            return band
    return of_stage[0] if of_stage else None


def standing(
    stages: Sequence[CareerStage],
    milestones: Sequence[Milestone],
    statuses: dict[int, str],
    bands: Sequence[SalaryBand] = (),
    region: str = "",
) -> StageStanding:
    """Where the learner stands: the highest stage whose every requirement is done."""
    ordered = sorted(stages, key=lambda stage: stage.order)
    current = None
    upcoming = None
    for stage in ordered:
        missing = [
            m for m in required_for(stage, milestones) if not is_finished(statuses.get(m.pk))
        ]
        if missing:
            upcoming = StageStanding(current=current, next=stage, remaining=missing)
            break
        current = stage
    result = upcoming or StageStanding(current=current, next=None)
    result.current_band = band_for(result.current, bands, region)
    result.next_band = band_for(result.next, bands, region)
    result.place_bands = [band for band in bands if band.stage_id is None]
    return result


def reached_on[Moment](
    stage: CareerStage | None,
    milestones: Iterable[Milestone],
    completed_at: dict[int, Moment],
) -> Moment | None:
    """When the learner reached a stage: the moment the last milestone it requires was
    completed. ``completed_at`` holds, by milestone id, when each done milestone was
    completed (and nothing for the others). None when the stage is not reached yet, or
    asks for nothing (the first stage, where everyone starts)."""
    if stage is None:
        return None
    required = required_for(stage, milestones)
    if not required or any(milestone.pk not in completed_at for milestone in required):
        return None
    return max(completed_at[milestone.pk] for milestone in required)
