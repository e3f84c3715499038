# shellcheck shell=bash
# Day 00 of the demo: is this machine ready? (sourced by tools/demo)

day 00 "Setup: what the labs need from this machine"

step "The doctor" \
	"Kernel features, cgroup layout and tools the labs rely on, checked live."
if [ -x tools/doctor ]; then
	run tools/doctor
else
	skip_step "tools/doctor is not there yet"
fi
pause
