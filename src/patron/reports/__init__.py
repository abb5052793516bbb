"""Pictures and documents made from the services' results (charts, later the review)."""
