"""Full backup and restore: a documented, versioned JSON file of every table."""
