# What the blk and blkdd scenarios' dom0 scripts check of their guest
# (tests/xen/scenarios/blk/guest.sh), sourced by both from
# /shoal/files/blk-guest-checks.sh; they define say, check and until_ok.
# guest_checks CONSOLE-LOG SINCE: shows what the guest prints as it
# comes, until its fio and umount are done (up to 300 s), and checks it.
guest_checks() {
	seen=0
	end=$(( $(secs) + 300 ))
	while :; do
		n=$(grep -ac 'BLK-GUEST' $1)
		if [ "$n" -gt $seen ]; then
			grep -a 'BLK-GUEST' $1 | sed -n "$((seen + 1)),${n}p" |
				sed 's/^/SHOAL-STEP:   [guest] /'
			seen=$n
		fi
		grep -q 'BLK-GUEST: umount exited' $1 && break
		grep -q 'BLK-GUEST: fio exited [^0]' $1 && break
		[ "$(secs)" -lt $end ] || { say "the guest did not finish in 300 s"; break; }
		sleep 0.5
	done
	say "the guest's fio ended after $(( $(secs) - $2 )) s from xl create"
	check "the guest's blkfront uses indirect descriptors" \
		"grep -q 'indirect descriptors: enabled' $1"
	check "the guest made and mounted ext2 on xvdb" \
		"grep -q 'BLK-GUEST: mke2fs exited 0' $1 && grep -q 'BLK-GUEST: mount exited 0' $1"
	check "fio wrote 256 MiB at queue depth 32 and verified it (crc32c)" \
		"grep -q 'BLK-GUEST: fio exited 0' $1 && grep -q 'err= 0' $1 &&
		 ! grep -qiE 'BLK-GUEST fio: .*(verify: bad|bad magic|crc32c: wanted)' $1"
	check "the guest unmounted xvdb" "grep -q 'BLK-GUEST: umount exited 0' $1"
}
