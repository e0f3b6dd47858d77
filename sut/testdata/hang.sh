# Never answers: starts a child that sleeps, writes its process id to the
# file $1 and waits for it.
sleep 30 &
echo $! >"$1"
wait
