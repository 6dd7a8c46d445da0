# Fails: selftest.sh runs it to prove a failing --script fails the run (sh -e).
echo "fail.sh: about to fail"
false
echo "fail.sh: unreachable"
