"""Recommendations: public UN data, and the partners' work on them."""
