db_write = 20%3*return(-5)->off
myapp:flush = 2*print->exit(3) after=10
usdt:/usr/bin/prog:provider:probe = signal(SIGUSR1)
x = return(1) when=1..9+2 arg2="a b" comm=de*
