package main

import (
	"context"
	"encoding/json"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/status"
)

// The catalog API is plain gRPC with JSON messages instead of protobuf, so
// the service needs no .proto file or generated code: a client calls
// /catalog.ProductCatalog/<Method> with the content subtype "json"
// (content-type application/grpc+json). The standard health service beside
// it speaks protobuf as usual.
const catalogServiceName = "catalog.ProductCatalog"

type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
func (jsonCodec) Name() string                       { return "json" }

func init() {
	encoding.RegisterCodec(jsonCodec{})
}

type ListProductsRequest struct{}

type ListProductsResponse struct {
	Products []Product `json:"products"`
}

type GetProductRequest struct {
	ID string `json:"id"`
}

type SearchProductsRequest struct {
	Query string `json:"query"`
}

type SearchProductsResponse struct {
	Results []Product `json:"results"`
}

// ProductCatalogServer is the catalog API.
type ProductCatalogServer interface {
	ListProducts(context.Context, *ListProductsRequest) (*ListProductsResponse, error)
	GetProduct(context.Context, *GetProductRequest) (*Product, error)
	SearchProducts(context.Context, *SearchProductsRequest) (*SearchProductsResponse, error)
}

type catalogServer struct{ catalog *Catalog }

func (s catalogServer) ListProducts(context.Context, *ListProductsRequest) (*ListProductsResponse, error) {
	return &ListProductsResponse{Products: s.catalog.List()}, nil
}

func (s catalogServer) GetProduct(_ context.Context, req *GetProductRequest) (*Product, error) {
	p, ok := s.catalog.Get(req.ID)
	if !ok {
		return nil, status.Errorf(codes.NotFound, "no product with id %q", req.ID)
	}
	return &p, nil
}

func (s catalogServer) SearchProducts(_ context.Context, req *SearchProductsRequest) (*SearchProductsResponse, error) {
	return &SearchProductsResponse{Results: s.catalog.Search(req.Query)}, nil
}

// unary adapts one typed method to grpc's untyped handler signature.
func unary[Req, Resp any](name string, call func(ProductCatalogServer, context.Context, *Req) (*Resp, error)) grpc.MethodDesc {
	return grpc.MethodDesc{
		MethodName: name,
		Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			req := new(Req)
			if err := dec(req); err != nil {
				return nil, err
			}
			handle := func(ctx context.Context, req any) (any, error) {
				return call(srv.(ProductCatalogServer), ctx, req.(*Req))
			}
			if interceptor == nil {
				return handle(ctx, req)
			}
			info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/" + catalogServiceName + "/" + name}
			return interceptor(ctx, req, info, handle)
		},
	}
}

var productCatalogDesc = grpc.ServiceDesc{
	ServiceName: catalogServiceName,
	HandlerType: (*ProductCatalogServer)(nil),
	Methods: []grpc.MethodDesc{
		unary("ListProducts", ProductCatalogServer.ListProducts),
		unary("GetProduct", ProductCatalogServer.GetProduct),
		unary("SearchProducts", ProductCatalogServer.SearchProducts),
	},
	Metadata: "catalog.ProductCatalog (JSON messages, no .proto)",
}

// RegisterProductCatalog adds the catalog API to a gRPC server.
func RegisterProductCatalog(s grpc.ServiceRegistrar, c *Catalog) {
	s.RegisterService(&productCatalogDesc, catalogServer{catalog: c})
}
