"""County ⇄ city exchange (第三、十二、十三条): signed package files between the two levels.

- packages: the package files written (escalation, result, send-back, their papers).
- incoming: `receive`: a package read, checked and entered (an escalation becomes a city case, a result a reply).
- month: a county's monthly figures sent to the city and kept there (`package-month`, `figures`).
- views: what `show` adds for papers and the other office's numbers.
"""
