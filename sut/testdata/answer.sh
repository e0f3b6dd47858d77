# Answers one request of the driver protocol with the status given as $1
# (ok, unsupported, failed or wrong-id), repeating the request id read from
# standard input and naming the action from YHTEISTESTAUS_ACTION.
req=$(cat)
id=$(printf '%s' "$req" | sed -n 's/^{"protocol":"[^"]*","id":"\([^"]*\)".*/\1/p')
echo "answer.sh: $YHTEISTESTAUS_ACTION request $id" >&2
case "$1" in
ok)
	printf '{"protocol":"yhteistestaus-sut/1","id":"%s","status":"ok","result":{"messageIds":["1.2.246.10.99999991.10.0^%s"]}}\n' "$id" "$YHTEISTESTAUS_ACTION" ;;
unsupported)
	printf '{"protocol":"yhteistestaus-sut/1","id":"%s","status":"unsupported","message":"no joint cases"}\n' "$id" ;;
failed)
	printf '{"protocol":"yhteistestaus-sut/1","id":"%s","status":"failed","message":"archive answered AE"}\n' "$id" ;;
wrong-id)
	printf '{"protocol":"yhteistestaus-sut/1","id":"x-%s","status":"ok"}\n' "$id" ;;
esac
