// The images' health probe (the JRE images have no curl): Dockerfile.edge and Dockerfile.cloud compile
// this file; edge-controller's HealthProbeTest runs it against a real server.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Exit 0 when http://127.0.0.1:PORT/observe/health answers 200; PORT from SERVER_PORT, else the arguments. */
public class HealthCheck {
    public static void main(String[] args) throws Exception {
        String env = System.getenv("SERVER_PORT");
        String[] ports = env != null && !env.isBlank() ? new String[] {env.trim()} : args;
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (String port : ports) {
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health"))
                        .timeout(Duration.ofSeconds(3)).build();
                if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    System.exit(0);
                }
            } catch (java.io.IOException e) {
                // not listening on this port: try the next one
            }
        }
        System.exit(1);
    }
}
