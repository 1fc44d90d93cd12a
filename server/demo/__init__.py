"""The demo dataset: six countries' UPR reviews and the partners following them up."""
