"""Every read a page needs, one module per domain: ``<entity>_<verb>(*, ...)``, each in a
fixed number of queries whatever the number of milestones, learners or mentees. They
fetch rows and hand them to the pure rules (tracker.rules); they never write."""
