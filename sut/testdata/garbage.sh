# Answers with text that is not JSON.
cat >/dev/null
echo "Done! Case opened."
