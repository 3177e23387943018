#!/usr/bin/env python3
"""Writes the hostile files of issue 15 into a folder (default /tmp/bombs), for
measuring by hand what genlab-cli does with them (docs/reliability.md):
deep.genlab (header nested 10^6 deep), alias.genlab (20 000 tensors on one
16 MB payload), bomb.png (2 MB, 16384^2 16-bit RGBA), bomb.nii.gz (2 MB,
16384^2 float64), line.mha (DimSize 16384 1 1), bigfolder/ (4096^2 PNGs).
The tests make their own, smaller versions."""
import struct, zlib, gzip, os, sys
d=sys.argv[1] if len(sys.argv) > 1 else '/tmp/bombs'
os.makedirs(d, exist_ok=True)
def model(header, payload=b''):
    h=header.encode()
    body=h+payload
    out=b'GENLABMF'+struct.pack('<II',1,len(h))+body
    return out+struct.pack('<I', zlib.crc32(out[16:]) & 0xffffffff)
deep='['*1000000+']'*1000000
open(f'{d}/deep.genlab','wb').write(model('{"format":"genlab-model","lab":"latent","meta":%s,"tensors":[]}'%deep))
n=4*1024*1024  # 16 MB payload of floats
ents=','.join('{"name":"t%d","dtype":"f32","shape":[%d],"offset":0,"bytes":%d}'%(i,n,n*4) for i in range(20000))
open(f'{d}/alias.genlab','wb').write(model('{"format":"genlab-model","lab":"latent","meta":{},"tensors":[%s]}'%ents, b'\0'*(n*4)))
def chunk(t,data): return struct.pack('>I',len(data))+t+data+struct.pack('>I',zlib.crc32(t+data)&0xffffffff)
def png(w,h,depth,ctype,rowbytes=None):
    ihdr=struct.pack('>IIBBBBB',w,h,depth,ctype,0,0,0)
    # real zero image data would be 2 GB; a real bomb: deflate of zero rows, streamed
    co=zlib.compressobj(9)
    row=b'\0'*(1+(rowbytes or w*{0:1,2:3,4:2,6:4}[ctype]*depth//8))
    idat=b''.join(co.compress(row) for _ in range(h))+co.flush()
    return b'\x89PNG\r\n\x1a\n'+chunk(b'IHDR',ihdr)+chunk(b'IDAT',idat)+chunk(b'IEND',b'')
open(f'{d}/bomb.png','wb').write(png(16384,16384,16,6))
hdr=bytearray(352)
struct.pack_into('<i',hdr,0,348)
struct.pack_into('<8h',hdr,40,2,16384,16384,1,1,1,1,1)
struct.pack_into('<hh',hdr,70,64,64)
struct.pack_into('<8f',hdr,76,1,1,1,1,1,1,1,1)
struct.pack_into('<f',hdr,108,352.0)
hdr[344:348]=b'n+1\0'
with gzip.open(f'{d}/bomb.nii.gz','wb',compresslevel=9) as f:
    f.write(bytes(hdr)); z=b'\0'*(1<<24)
    for _ in range(16384*16384*8//len(z)): f.write(z)
open(f'{d}/line.mha','wb').write(b"ObjectType = Image\nNDims = 3\nDimSize = 16384 1 1\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n"+b'\x40'*16384)
os.makedirs(f'{d}/bigfolder',exist_ok=True)
big=png(4096,4096,8,0)
for i in range(4): open(f'{d}/bigfolder/img{i}.png','wb').write(big)
open(f'{d}/bigfolder/labels.csv','w').write('filename,label\n'+''.join(f'img{i}.png,{i}\n' for i in range(4)))
