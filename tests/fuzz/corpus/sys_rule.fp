sys:openat = 10%error(ENOENT) path=/etc/demo/* flags&=O_CREAT|O_TRUNC uid=0 cgroup=/sys/fs/cgroup/x
