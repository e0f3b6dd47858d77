# Starts a child that sleeps, writes its process id to the file $1 and
# exits without waiting for it: with $2 "ok" after answering the request
# read on standard input, with "crash" with status 3 and no answer. With
# $3 "keep-output" the child keeps the script's standard output open.
if [ "$3" = keep-output ]; then
	sleep 30 &
else
	sleep 30 >/dev/null 2>&1 &
fi
echo $! >"$1"
req=$(cat)
id=$(printf '%s' "$req" | sed -n 's/^{"protocol":"[^"]*","id":"\([^"]*\)".*/\1/p')
case "$2" in
ok)
	printf '{"protocol":"yhteistestaus-sut/1","id":"%s","status":"ok"}\n' "$id" ;;
crash)
	echo "leave-child.sh: crashing" >&2
	exit 3 ;;
esac
