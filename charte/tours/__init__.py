"""Amendment rounds (tours) and the charter's voting rules."""
