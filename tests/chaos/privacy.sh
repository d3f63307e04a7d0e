#!/usr/bin/env bash
# privacy — participant data never crosses the wire in clear.
#
# Two real nodes replicate on 127.0.0.1 while tshark captures the
# replication ports (a capture filter on exactly those ports). Names,
# e-mails, background and the country of origin — as text, as JSON and as
# the protobuf bytes of the country op — must not appear in that capture.
# The same search over a capture of the plain HTTP API, which does carry
# them, shows the search itself works.
#
# usage: privacy.sh MENTORNETD BASE_PORT
set -euo pipefail
daemon=$1
base=${2:-19600}
http_a=$base http_b=$((base + 1)) repl_a=$((base + 10)) repl_b=$((base + 11))
tmp=$(mktemp -d /tmp/mn-privacy.XXXXXX)
pids=()
passed=0 failed=0

cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL: $what"; fi
}

conf() { # conf NAME ID HTTP REPL
    cat > "$tmp/nodes/$1.conf" <<CONF
[node]
id = $2
name = $1
data_dir = ../$1
map_size_mb = 64
sync = false
[http]
listen = 127.0.0.1:$3
[replication]
listen = 127.0.0.1:$4
[keys]
dir = ../keys
CONF
}
mkdir -p "$tmp/nodes"
conf alpha 1 "$http_a" "$repl_a"
conf beta 2 "$http_b" "$repl_b"
for n in alpha beta; do "$daemon" --keygen --config "$tmp/nodes/$n.conf" >/dev/null; done

# Captures start before the nodes, so the handshakes are in them too.
tshark -q -i lo -f "tcp port $repl_a or tcp port $repl_b" -w "$tmp/repl.pcap" \
    2>"$tmp/tshark-repl.log" & pids+=($!)
tshark -q -i lo -f "tcp port $http_a" -w "$tmp/http.pcap" \
    2>"$tmp/tshark-http.log" & pids+=($!)
for i in $(seq 1 100); do
    grep -q Capturing "$tmp/tshark-repl.log" && grep -q Capturing "$tmp/tshark-http.log" && break
    sleep 0.1
done
check "tshark captures on loopback" grep -q Capturing "$tmp/tshark-repl.log"

for n in alpha beta; do
    "$daemon" --config "$tmp/nodes/$n.conf" 2>"$tmp/$n.log" & pids+=($!)
done
token=$(for i in $(seq 1 100); do [ -s "$tmp/alpha/admin.token" ] && break; sleep 0.1; done
        cat "$tmp/alpha/admin.token")
token_b=$(for i in $(seq 1 100); do [ -s "$tmp/beta/admin.token" ] && break; sleep 0.1; done
          cat "$tmp/beta/admin.token")

post() { # post BODY -> HTTP status
    curl -s -o /dev/null -w '%{http_code}' -X POST \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        --data "$1" "http://127.0.0.1:$http_a/v1/participants"
}
secrets=()
for i in $(seq 1 20); do
    given="Zarifa${i}Qxv" family="Haddad${i}Ylm" email="zq${i}.privacy@example.org"
    body="{\"role\":\"mentee\",\"given_name\":\"$given\",\"family_name\":\"$family\",\"email\":\"$email\",\"country_of_origin\":\"SY\",\"background\":\"refugee\",\"consent\":{\"purposes\":[\"statistics\"],\"given_at\":\"2026-11-26T10:00:00Z\"}}"
    for try in $(seq 1 100); do # 503 until the peer told its vector
        [ "$(post "$body")" = 201 ] && break
        sleep 0.1
    done
    secrets+=("$given" "$family" "$email")
done

seen=0
for i in $(seq 1 200); do
    seen=$(curl -s -H "Authorization: Bearer $token_b" "http://127.0.0.1:$http_b/v1/digest" |
           python3 -c 'import json,sys; print(json.load(sys.stdin)["version_vector"].get("alpha",0))')
    [ "$seen" -ge 20 ] && break
    sleep 0.1
done
check "beta received all 20 changes over replication (has $seen)" [ "$seen" -ge 20 ]
sleep 0.5
kill -INT "${pids[0]}" "${pids[1]}"
wait "${pids[0]}" "${pids[1]}" 2>/dev/null || true

# Search both captures; exit status 0 when found.
found() { # found FILE NEEDLE (python bytes literal)
    python3 -c 'import sys; data=open(sys.argv[1],"rb").read(); sys.exit(0 if eval(sys.argv[2]) in data else 1)' "$1" "$2"
}
absent() { ! found "$@"; }
size=$(stat -c %s "$tmp/repl.pcap")
# 20 changes of a few hundred bytes each, with the CURVE handshakes and
# heartbeats: a capture that saw the traffic holds several KB.
check "the replication capture holds traffic ($size bytes)" [ "$size" -gt 8000 ]
for s in "${secrets[@]}"; do
    check "'$s' is not in the replication traffic" absent "$tmp/repl.pcap" "b'$s'"
done
check "the country op (protobuf) is not in the replication traffic" \
    absent "$tmp/repl.pcap" "bytes([0x08,0x09,0x1a,0x02])+b'SY'"
check "country_of_origin as JSON is not in the replication traffic" \
    absent "$tmp/repl.pcap" "b'\"country_of_origin\":\"SY\"'"
check "'refugee' is not in the replication traffic" absent "$tmp/repl.pcap" "b'refugee'"
# The control: the plain HTTP API carries the same data, and the search sees it.
check "the search finds the names in the HTTP capture" found "$tmp/http.pcap" "b'${secrets[0]}'"
check "the search finds the country as JSON in the HTTP capture" \
    found "$tmp/http.pcap" "b'\"country_of_origin\":\"SY\"'"

echo "privacy: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
