"""Domain acts: each validates with the rules, then writes one transaction."""
