"""Sector change: charity registrations, removals, survival and income by own-nation need, from the register."""
