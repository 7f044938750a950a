"""The public site: no login needed. Every view here is on the allow-list explicitly."""
