package dev.verity.command.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One HTTP/1.1 exchange over a bare socket, for requests no well-behaved client would send. */
public final class RawHttp {

    private RawHttp() {
    }

    public record Answer(int status, String head, String body) {

        public boolean hasHeader(String name, String valuePrefix) {
            return head.lines().anyMatch(line -> line.regionMatches(true, 0, name + ":", 0, name.length() + 1)
                    && line.substring(name.length() + 1).trim().startsWith(valuePrefix));
        }
    }

    /** Sends the request head as given (CRLF line ends are added), with Connection: close. */
    public static Answer exchange(int port, String... headLines) {
        return exchangeWithBody(port, "", headLines);
    }

    /** The same with a body, sent as is after the head: Content-Length is the caller's to state (or misstate). */
    public static Answer exchangeWithBody(int port, String body, String... headLines) {
        StringBuilder request = new StringBuilder();
        for (String line : headLines) {
            request.append(line).append("\r\n");
        }
        request.append("Host: 127.0.0.1\r\nConnection: close\r\n\r\n").append(body);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = response.indexOf("\r\n\r\n");
            String head = split < 0 ? response : response.substring(0, split);
            int status = Integer.parseInt(head.substring(9, 12));
            return new Answer(status, head, split < 0 ? "" : response.substring(split + 4));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
