"""Registry mutations: keeping contacts, and the exceptional acts of disclosure."""
