#!/bin/bash
# tests/samples_verdicts.sh DUMP SAMPLES_DIR: the verdict engine on the lab's real captures.
# For every SAMPLES_DIR/*/expected.tsv, runs DUMP (tests/verdict_dump.c) on source.pcap alone
# and on target.pcap alone (or their .gz) and compares each expected row with the engine's
# verdict for (from, to, proto, port): column source_only, resp. target_only. answered_by is
# compared too when the engine's verdict equals the ground truth and it names an address (a
# forged RST hides its maker's address: the engine reports none). Exit 1 on any disagreement.
set -u
dump=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
agree=0
bad=0
for exp in "$dir"/*/expected.tsv; do
    case=$(dirname "$exp")
    name=$(basename "$case")
    for side in source target; do
        cap="$case/$side.pcap"
        [ -f "$cap" ] || cap="$cap.gz"
        if [ ! -f "$cap" ]; then
            echo "FAIL $name: no $side capture"
            bad=$((bad + 1))
            continue
        fi
        if ! "$dump" "$cap" >"$tmp/out" 2>"$tmp/err"; then
            echo "FAIL $name/$side: verdict_dump failed: $(head -c 300 "$tmp/err")"
            bad=$((bad + 1))
            continue
        fi
        while IFS=$'\t' read -r from to proto port truth by src_only tgt_only note; do
            [ "$from" = from ] && continue
            want=$src_only
            [ "$side" = target ] && want=$tgt_only
            got=$(awk -F'\t' -v f="$from" -v t="$to" -v p="$proto" -v o="$port" \
                '$1 == f && $2 == t && $3 == p && $4 == o { print $5 "\t" $6; exit }' "$tmp/out")
            gv=${got%%$'\t'*}
            gb=${got#*$'\t'}
            [ -z "$got" ] && gv="(none)" && gb="-"
            if [ "$gv" != "$want" ]; then
                echo "FAIL $name/$side: $from $to $proto $port: got $gv, want $want"
                bad=$((bad + 1))
            elif [ "$gv" = "$truth" ] && [ "$gb" != "-" ] && [ "$gb" != "$by" ]; then
                echo "FAIL $name/$side: $from $to $proto $port $gv: answered_by $gb, want $by"
                bad=$((bad + 1))
            else
                agree=$((agree + 1))
            fi
        done <"$exp"
    done
done
echo "samples_verdicts: $agree agree, $bad disagree"
[ "$bad" -eq 0 ]
