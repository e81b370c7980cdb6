"""The organiser back office: dashboard data, broadcasts, exports, audit.

This is the kernel's dashboard shell: unlike the rest of the kernel it may import the domain
packages (registration, sessions, streaming), because it shows and changes all of them. Its
wiring is in `setup.py`.
"""
