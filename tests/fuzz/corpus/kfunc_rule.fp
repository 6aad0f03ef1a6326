kfunc:should_failslab = 1%error(ENOMEM)->delay(5)->off comm=victim when=2..9+2
