"""Publication: the adopted charter rendered once as a signed PDF/A, the public site, verification."""
