# The guest of the blk and blkdd scenarios (busybox sh, run by
# deploy/stubdom's init as its command): an ext2 file system made on xvdb
# and mounted, fio run on a file in it (256 MiB of random 64 KiB writes at
# queue depth 32, libaio and O_DIRECT, each block with a crc32c, then read
# back and verified), what its blkfront found (dmesg), fio's summary and
# exit status, xvdb unmounted; then it waits to be destroyed.  init
# echoes the command on the console, so what dom0 looks for there is
# never written literally here (statuses are $r).
say() { echo "BLK-GUEST: $*"; }
i=0
until [ -b /dev/xvdb ] || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
[ -b /dev/xvdb ] || say "no xvdb"
say "xvdb $(cat /sys/block/xvdb/size) sectors of 512, $(ls /sys/block/xvdb/mq | wc -l) queue(s)"
dmesg | grep -E 'blkfront|xvdb' | sed 's/^/BLK-GUEST dmesg: /'
mke2fs -q -b 4096 /dev/xvdb >/tmp/mkfs.out 2>&1; r=$?
say "mke2fs exited $r"
mkdir -p /mnt
mount -t ext2 /dev/xvdb /mnt 2>/tmp/mount.out || mount /dev/xvdb /mnt 2>>/tmp/mount.out; r=$?
say "mount exited $r"; cat /tmp/mount.out
cd /mnt
fio --name=blk-verify --filename=/mnt/fio.dat --size=256M --rw=randwrite \
	--bs=64k --iodepth=32 --ioengine=libaio --direct=1 --verify=crc32c \
	--do_verify=1 --verify_fatal=1 >/tmp/fio.out 2>&1; r=$?
grep -E 'err=|WRITE:|READ:|verify|bad|error' /tmp/fio.out | sed 's/^/BLK-GUEST fio: /'
say "fio exited $r"
[ $r -ne 0 ] || say "fio.dat sha256=$(sha256sum /mnt/fio.dat | cut -d' ' -f1)"
cd /
sync; umount /mnt; r=$?
say "umount exited $r"
exec sleep 3600
