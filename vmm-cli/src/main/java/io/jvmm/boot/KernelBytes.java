package io.jvmm.boot;

import io.jvmm.spi.GuestMemory;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A kernel image's bytes, read in bounded pieces and never held whole: a distribution kernel
 * is 10-15 MiB, and jvmm keeps its loader for the VM's life. The parsers read the headers they
 * need ({@link #read}); the load copies the rest straight into guest RAM ({@link #copyTo}).
 * A file is opened for each of those steps and must keep the size it had when it was checked;
 * a failed read is a {@link BootException} naming the file.
 */
abstract sealed class KernelBytes permits KernelBytes.OfFile, KernelBytes.OfArray {
    /** The image's size in bytes. */
    abstract long size();

    /** The {@code length} bytes at {@code offset}; the range must lie in the image. */
    abstract byte[] read(long offset, int length) throws BootException;

    /** Copies {@code [offset, offset + length)} of the image to guest RAM at {@code gpa}, which the caller checked. */
    abstract void copyTo(GuestMemory memory, long gpa, long offset, long length) throws BootException;

    static KernelBytes of(Path path) throws IOException {
        return new OfFile(path, Files.size(path));
    }

    static KernelBytes of(byte[] image) {
        return new OfArray(image);
    }

    final void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset > size() || length > size() - offset) {
            throw new IllegalArgumentException("bytes [" + offset + ", +" + length + ") outside an image of " + size());
        }
    }

    /** An image file. */
    static final class OfFile extends KernelBytes {
        private final Path path;
        private final long size;

        private OfFile(Path path, long size) {
            this.path = path;
            this.size = size;
        }

        @Override
        long size() {
            return size;
        }

        @Override
        byte[] read(long offset, int length) throws BootException {
            checkRange(offset, length);
            byte[] bytes = new byte[length];
            ByteBuffer dst = ByteBuffer.wrap(bytes);
            try (FileChannel in = open()) {
                while (dst.hasRemaining()) {
                    if (in.read(dst, offset + dst.position()) < 0) {
                        throw new EOFException("it ended before " + (offset + length) + " bytes");
                    }
                }
            } catch (IOException e) {
                throw cannotRead(e);
            }
            return bytes;
        }

        @Override
        void copyTo(GuestMemory memory, long gpa, long offset, long length) throws BootException {
            checkRange(offset, length);
            try (FileChannel in = open()) {
                GuestFileCopy.copy(in, offset, memory, gpa, length);
            } catch (IOException e) {
                throw cannotRead(e);
            }
        }

        private FileChannel open() throws IOException {
            FileChannel in = FileChannel.open(path, StandardOpenOption.READ);
            if (in.size() != size) {
                long now = in.size();
                in.close();
                throw new IOException("it changed size since it was checked (" + size + " bytes, now " + now + ")");
            }
            return in;
        }

        private BootException cannotRead(IOException e) {
            return new BootException("cannot read kernel " + path + ": " + e.getMessage(), e);
        }
    }

    /** An image already in memory (tests and fuzzing). */
    static final class OfArray extends KernelBytes {
        private final byte[] image;

        private OfArray(byte[] image) {
            this.image = image;
        }

        @Override
        long size() {
            return image.length;
        }

        @Override
        byte[] read(long offset, int length) {
            checkRange(offset, length);
            byte[] bytes = new byte[length];
            System.arraycopy(image, (int) offset, bytes, 0, length);
            return bytes;
        }

        @Override
        void copyTo(GuestMemory memory, long gpa, long offset, long length) {
            checkRange(offset, length);
            memory.write(gpa, image, (int) offset, (int) length);
        }
    }
}
