# Never finishes: selftest.sh runs it to prove the runner kills a hung VM.
echo "hang.sh: sleeping forever"
sleep 100000
