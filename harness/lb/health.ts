/**
 * Whether a front load balancer's health check can pass at all, as the cloud controllers
 * configure it. Pure.
 */

/**
 * False for a UDP Service under externalTrafficPolicy Cluster: the AWS Load Balancer Controller
 * (pkg/service/model_builder.go defaultHealthCheckProtocol TCP, port traffic-port) and the
 * in-tree provider (pkg/providers/v1/aws.go buildNLBHealthCheckConfiguration) check it with a TCP
 * connect to the NodePort, which answers UDP only, so every node fails it. Under Local the check is
 * HTTP /healthz on healthCheckNodePort, which works whatever the protocol; a TCP Service's TCP
 * check works.
 */
export function lbHealthCheckCanPass(service: { protocol: 'TCP' | 'UDP'; externalTrafficPolicy: 'Cluster' | 'Local' }): boolean {
  return !(service.protocol === 'UDP' && service.externalTrafficPolicy === 'Cluster')
}
