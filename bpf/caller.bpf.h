/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* caller=: whether a function whose name the rule's glob matched is on the calling
 * thread's user stack. Userspace resolved the glob to file offsets per file (callers
 * map); here each return address becomes (file, offset) through its mapping. The walk is
 * the one userspace does for the seccomp backend (engine/user_stack.c): the return
 * address a syscall wrapper leaves near the stack pointer (its caller, whom a
 * frame-pointer walk skips), then the frame-pointer chain. At a failpoint the probe's
 * own address comes first: the function holding the failpoint. */
#ifndef FPBPF_CALLER_BPF_H
#define FPBPF_CALLER_BPF_H

#define FP_CALLER_LEAF_WORDS 16
#define FP_CALLER_FRAMES 16
#define FP_VM_EXEC 0x4

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_CALLER_FILES);
	__type(key, struct fp_caller_key);
	__type(value, struct fp_caller_funcs);
} callers SEC(".maps");

/* Laid out as the maps' keys (rid, dev, ino, then off): the lookup itself is the key,
 * and no larger than 32 bytes, since every frame on the way to the find_vma callback
 * counts against BPF's 512 bytes of stack (each rounded up to 32). off holds the
 * address until the callback turns it into the file offset; ino 0: not found. */
struct vma_lookup {
	__u32 rid;
	__u32 dev;
	__u64 ino;
	__u64 off;
};
_Static_assert(__builtin_offsetof(struct vma_lookup, ino) == __builtin_offsetof(struct fp_caller_key, ino) &&
		       __builtin_offsetof(struct vma_lookup, dev) == __builtin_offsetof(struct fp_caller_key, dev) &&
		       sizeof(struct fp_caller_key) == 16,
	       "vma_lookup begins as fp_caller_key");
_Static_assert(__builtin_offsetof(struct vma_lookup, off) == __builtin_offsetof(struct fp_census_key, off) &&
		       sizeof(struct fp_census_key) == 24,
	       "vma_lookup begins as fp_census_key");

static long vma_of_addr(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_lookup *l = data;
	struct file *file = BPF_CORE_READ(vma, vm_file);

	if (!file || !(BPF_CORE_READ(vma, vm_flags) & FP_VM_EXEC))
		return 0;
	l->ino = BPF_CORE_READ(file, f_inode, i_ino);
	l->dev = BPF_CORE_READ(file, f_inode, i_sb, s_dev);
	l->off = l->off - BPF_CORE_READ(vma, vm_start) + (BPF_CORE_READ(vma, vm_pgoff) << 12);
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_CENSUS_MAX);
	__type(key, struct fp_census_key);
	__type(value, __u64);
} census SEC(".maps");

/* A full map counts nothing more: explore then sees fewer hits than the rule's own count
 * and keeps the site whole. */
static __always_inline void census_add(const struct fp_census_key *k)
{
	__u64 one = 1, *c = bpf_map_lookup_elem(&census, k);

	if (!c && !bpf_map_update_elem(&census, k, &one, BPF_NOEXIST))
		return;
	c = c ? c : bpf_map_lookup_elem(&census, k);
	if (c)
		__sync_fetch_and_add(c, 1);
}

/* The walks: MATCH, whether any frame is in a function caller= names; SITE, whether the
 * calling site (the first frame: the function that made the call) is in a function
 * callsite= names; CENSUS, count the hit at its calling site. */
enum { FP_WALK_MATCH, FP_WALK_SITE, FP_WALK_CENSUS };

/* What one address on the stack says for rule rid: -1 not in a file's code (not a
 * return address); else MATCH and SITE: 1 in a function the rule names, 0 not; CENSUS:
 * counted, 1. The byte before a return address is the call's, which is what lies in the
 * caller (a call can end a function). */
__noinline int fp_caller_addr(__u32 rid, __u64 addr, __u32 walk)
{
	struct vma_lookup l = { .rid = rid, .off = addr };
	struct fp_caller_funcs *f;

	if (addr < 4096 || bpf_find_vma(bpf_get_current_task_btf(), addr, vma_of_addr, &l, 0) || !l.ino)
		return -1;
	if (walk == FP_WALK_CENSUS) {
		census_add((struct fp_census_key *)&l);
		return 1;
	}
	/* The callers map tells files apart by inode alone (see fp_caller_key). */
	l.dev = 0;
	f = bpf_map_lookup_elem(&callers, &l);
	if (!f)
		return 0;
	for (int i = 0; i < FP_CALLER_RANGES; i++) {
		if (i >= f->n)
			break;
		if (l.off - 1 >= f->lo[i] && l.off - 1 < f->hi[i])
			return 1;
	}
	return 0;
}

/* Byte k (0..6) of the 7 that end right before a return address, from the 8 read at
 * ret - 8. */
#define FP_BEFORE(v, k) ((__u8)((v) >> (8 * ((k) + 1))))

/* A call instruction ends right before ret (x86-64: call rel32, or call r/m64 of 2 to
 * 7 bytes); elsewhere any code address is taken. Not inlined, and bytes kept in one
 * word: every frame on the way to fp_caller_addr's callback counts against BPF's 512
 * bytes of stack. */
static __noinline int call_precedes(__u64 ret)
{
#if defined(__TARGET_ARCH_x86)
	__u64 v = 0;

	if (bpf_probe_read_user(&v, sizeof(v), (void *)(ret - 8)))
		return 0;
	if (FP_BEFORE(v, 2) == 0xe8)
		return 1;
	for (int len = 2; len <= 7; len++)
		if (FP_BEFORE(v, 7 - len) == 0xff && (FP_BEFORE(v, 8 - len) & 0x38) == 0x10)
			return 1;
	return 0;
#else
	return 1;
#endif
}

#define FP_WRAPPER_MAX 4096	/* a syscall wrapper's code, from its start to its syscall */

/* The wrapper's caller, near the stack pointer, among stale return addresses a wrapper's
 * own frame may hold: its call went to the wrapper (at or before ip, close) or to a PLT
 * entry, or through the GOT (call *x(%rip), as -fno-plt builds call). As
 * engine/user_stack.c's is_wrapper_call. */
static __noinline int wrapper_call(__u64 ret, __u64 ip)
{
#if defined(__TARGET_ARCH_x86)
	__u64 v = 0, target;

	if (bpf_probe_read_user(&v, sizeof(v), (void *)(ret - 8)))
		return 0;
	if (FP_BEFORE(v, 1) == 0xff && FP_BEFORE(v, 2) == 0x15)
		return 1;
	if (FP_BEFORE(v, 2) != 0xe8)
		return 0;
	target = ret + (__u64)(__s64)(__s32)(__u32)(v >> 32);
	if (target <= ip && ip - target < FP_WRAPPER_MAX)
		return 1;
	if (bpf_probe_read_user(&v, sizeof(v), (void *)target))
		return 0;
	/* ff 25: jmp *x(%rip); after endbr64 (f3 0f 1e fa), maybe with bnd (f2). */
	return (v & 0xffff) == 0x25ff ||
	       ((v & 0xffffffff) == 0xfa1e0ff3 && (((v >> 32) & 0xffff) == 0x25ff || ((v >> 32) & 0xffffff) == 0x25fff2));
#else
	return 1;
#endif
}

/* at_probe: a failpoint, whose address is in the function holding it; otherwise a
 * syscall or kernel function, entered from a wrapper whose caller is found first (the
 * calling site: found whether or not the program keeps frame pointers). */
__noinline int fp_walk_stack(__u32 rid, __u32 at_probe, __u32 walk)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u64 sp, fp, w = 0, next = 0, first = 0;
	int r = -1;

	if (!regs)
		return 0;
	sp = PT_REGS_SP_CORE(regs);
	fp = PT_REGS_FP_CORE(regs);
	if (at_probe) {
		/* The probe's address itself, not a return address: +1 so that "the byte
		 * before" is the probe's. */
		first = PT_REGS_IP_CORE(regs) + 1;
		r = fp_caller_addr(rid, first, FP_WALK_MATCH);
	} else {
		for (int i = 0; i < FP_CALLER_LEAF_WORDS; i++) {
			if (bpf_probe_read_user(&w, sizeof(w), (void *)(sp + 8 * i)))
				break;
			r = fp_caller_addr(rid, w, FP_WALK_MATCH);
			if (r < 0 || !wrapper_call(w, PT_REGS_IP_CORE(regs)))
				continue;
			first = w;
			break;
		}
	}
	if (first && walk != FP_WALK_MATCH)
		return fp_caller_addr(rid, first, walk) == 1;
	if (first && r == 1)
		return 1;
	/* A frame pointer lies above the stack pointer, aligned; its return address follows a
	 * call (where bp is an ordinary register, in code built without frame pointers, a
	 * word it points at is not taken for a caller). */
	for (int i = 0; i < FP_CALLER_FRAMES; i++) {
		if (fp <= sp || (fp & 7) || bpf_probe_read_user(&next, sizeof(next), (void *)fp) ||
		    bpf_probe_read_user(&w, sizeof(w), (void *)(fp + 8)))
			break;
		r = fp_caller_addr(rid, w, FP_WALK_MATCH);
		if (r < 0 || !call_precedes(w))
			break;
		/* No calling site near the stack pointer: the first frame is it. */
		if (!first && r >= 0 && walk != FP_WALK_MATCH)
			return fp_caller_addr(rid, w, walk) == 1;
		if (r == 1)
			return 1;
		if (next <= fp)
			break;
		fp = next;
	}
	return 0;
}

#endif
