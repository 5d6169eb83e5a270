"""Pure rules over plain data: career stages and progress figures, which advice applies,
what comes next in a plan, the activity chart. Nothing here queries the database: the
selectors fetch the rows, and pass milestones, statuses and dates in."""
