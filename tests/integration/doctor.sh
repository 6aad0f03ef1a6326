# fpbpf doctor must tell the truth about the kernel it runs on: the host (no kprobes,
# lockdown=integrity) and the VM (everything). Each claim is checked against the kernel.
. "$(dirname "$0")/../lib.sh"

mount -t securityfs none /sys/kernel/security 2>/dev/null
lock=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown 2>/dev/null)
json=$(fp doctor --json)
field() { echo "$json" | python3 -c "import json,sys; d=json.load(sys.stdin); print([c['ok'] for c in d['checks'] if c['name']=='$1'][0])"; }

group "doctor"
want=$([ -e /sys/bus/event_source/devices/kprobe/type ] && echo True || echo False)
expect "kprobes matches the kprobe PMU" "$want" "$(field kprobes)"
want=$([ -z "$lock" ] || [ "$lock" = none ] && echo True || echo False)
expect "bpf_probe_write_user matches lockdown ($lock)" "$want" "$(field bpf_probe_write_user)"
expect "uprobes usable" True "$(field uprobes)"
expect "ring buffer usable" True "$(field ringbuf)"
if [ "$want" = False ]; then
	fp doctor | grep -q "bpf_probe_write_user .*NO .*lockdown is '$lock'"; expect "names lockdown mode" 0 $?
fi
if [ "${FPBPF_VM_KERNEL:-}" = debian ]; then
	# Debian's own kernel: kprobes and the BPF LSM, no bpf_override_return.
	for c in kprobes bpf_probe_write_user syscall_tracepoints bpf_lsm btf backend_lsm backend_seccomp; do
		expect "Debian's kernel has $c" True "$(field "$c")"
	done
	for c in bpf_override_return backend_kprobe backend_fmod_ret; do
		expect "Debian's kernel lacks $c" False "$(field "$c")"
	done
	fp doctor | grep -q 'backend_kprobe .*NO .*lacks bpf_override_return'; expect "the kprobe backend names what is missing" 0 $?
	fp doctor | grep -q 'backend_fmod_ret .*NO .*CONFIG_FUNCTION_ERROR_INJECTION'; expect "the fmod_ret backend names what is missing" 0 $?
elif [ -n "${FPBPF_IN_VM:-}" ]; then
	for c in kprobes bpf_override_return bpf_probe_write_user syscall_tracepoints error_injection_list bpf_lsm btf backend_fmod_ret backend_kprobe backend_lsm backend_seccomp; do
		expect "VM kernel has $c" True "$(field "$c")"
	done
	expect "VM delivery" write "$(echo "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["delivery"])')"
else
	if [ "$(field kprobes)" = False ]; then
		fp doctor | grep -q 'kprobes .*NO .*CONFIG_KPROBES'; expect "missing kprobes names CONFIG_KPROBES" 0 $?
	else
		skip "missing kprobes names CONFIG_KPROBES" "this host has kprobes"
	fi
	expect "the seccomp backend serves syscall faults here" True "$(field backend_seccomp)"
	if [ "$(field kprobes)" = False ]; then
		fp doctor | grep -q 'backend_lsm .*NO .*no kprobes'; expect "the lsm backend names what is missing" 0 $?
	fi
fi
